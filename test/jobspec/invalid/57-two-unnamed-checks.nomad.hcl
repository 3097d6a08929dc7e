# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 17:7: group "g" service "web": more than one check without a name (Nomad names each "service: \"web\" check"); give the checks names
job "checks" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name = "web"
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
      check {
        type     = "tcp"
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
