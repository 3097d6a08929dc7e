# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 13:9: group "g" service "web": check port "health" is not a port of the group's network; define port "health" in the group's network block
job "bad" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name = "web"
      port = "http"
      check {
        type     = "tcp"
        port     = "health"
        interval = "10s"
        timeout  = "2s"
      }
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
