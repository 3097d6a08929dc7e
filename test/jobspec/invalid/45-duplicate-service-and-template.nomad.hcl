# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 15:9: group "g" service "web": services with provider "nomad" support http and tcp checks, not grpc
# expect: 20:5: group "g" service "web" is defined twice with the same port; give one another name or port
# expect: 32:9: task "t": two templates render to "local/x"
job "bad" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name     = "web"
      port     = "http"
      provider = "nomad"
      check {
        type     = "grpc"
        interval = "10s"
        timeout  = "2s"
      }
    }
    service {
      name = "web"
      port = "http"
    }
    task "t" {
      driver = "exec"
      template {
        data        = "a"
        destination = "local/x"
      }
      template {
        data        = "b"
        destination = "local/x"
      }
    }
  }
}
