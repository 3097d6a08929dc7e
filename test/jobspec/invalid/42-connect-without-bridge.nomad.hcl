# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 8:7: group "g" service "api": Connect needs the group's network in bridge mode: network { mode = "bridge" }
job "bad" {
  group "g" {
    service {
      name = "api"
      port = "9090"
      connect {
        sidecar_service {}
      }
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
