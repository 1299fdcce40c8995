{
  "targets": [
    {
      "target_name": "svcbench_relay",
      "sources": ["native/relay.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none", "sources!": ["native/relay.c"] }]]
    }
  ]
}
