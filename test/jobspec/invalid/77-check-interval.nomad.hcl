# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 14:9: group "g" service "s": a check's interval must be at least 1s
# A check's interval under Nomad's minimum of 1s.
job "t3" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name = "s"
      port = "http"
      check {
        type     = "tcp"
        interval = "500ms"
        timeout  = "2s"
      }
    }
    task "x" {
      driver = "raw_exec"
      config {
        command = "/bin/true"
      }
    }
  }
}
