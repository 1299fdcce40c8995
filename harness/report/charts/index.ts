/** Every chart builder, in report order. */
import type { ChartBuilder } from './common.ts'
import { podShare } from './pod-share.ts'
import { rpsByPod } from './rps-by-pod.ts'
import { latencyPercentiles } from './latency-percentiles.ts'
import { latencyOverTime } from './latency-over-time.ts'
import { errorsOverTime } from './errors-over-time.ts'
import { clientPodHeatmap } from './client-pod-heatmap.ts'
import { fairnessChart } from './fairness.ts'
import { failoverTimeline } from './failover-timeline.ts'
import { scheduledVsCompleted } from './scheduled-vs-completed.ts'
import { topologyCharts } from './topology.ts'

export const CHART_BUILDERS: readonly ChartBuilder[] = [podShare, topologyCharts, rpsByPod, scheduledVsCompleted, latencyPercentiles, latencyOverTime, errorsOverTime, clientPodHeatmap, fairnessChart, failoverTimeline]
