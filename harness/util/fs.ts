/** File writes that never leave a half-written file behind. */
import fs from 'node:fs/promises'
import path from 'node:path'

/** Write `text` to `file` atomically: its folder is created, a temp file written, then renamed over. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true })
  const tmp = `${file}.tmp-${process.pid}`
  await fs.writeFile(tmp, text)
  await fs.rename(tmp, file)
}
