# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 30:9: task "web" service "web": port "http" is not a port of the group's network; define port "http" in the group's network block
# From seed 003_45d511daa4142bbb.txt, HCL snippet 1.
job "autoscaled-app" {
  datacenters = ["dc1"]
  type = "service"

  group "web" {
    count = 3

    scaling {
      min = 1
      max = 10
      enabled = true
    }

    task "web" {
      driver = "docker"
      config {
        image = "nginx:latest"
      }

      resources {
        cpu    = 500
        memory = 512
      }

      service {
        name = "web"
        port = "http"
      }
    }
  }
}
