# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 20:9: task "api" service "api": port "8080" is not a port of the group's network; a numeric port needs address_mode = "driver"
# expect: 23:9: task "api" service "api": a check cannot use the numeric port 8080 without address_mode = "driver"
# From seed 003_45d511daa4142bbb.txt, HCL snippet 5.
job "cross-region-service" {
  datacenters = ["us-west-1", "us-east-1"]
  type = "service"

  group "api" {
    count = 2

    task "api" {
      driver = "docker"
      config {
        image = "myapp/api:latest"
      }

      service {
        name = "api"
        port = "8080"
        tags = ["v1", "api"]

        check {
          type     = "http"
          path     = "/health"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
}
