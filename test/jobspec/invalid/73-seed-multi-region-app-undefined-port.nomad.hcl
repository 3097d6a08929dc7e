# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 29:9: task "web" service "web": port "http" is not a port of the group's network; define port "http" in the group's network block
# From seed 003_45d511daa4142bbb.txt, HCL snippet 2.
job "multi-region-app" {
  datacenters = ["us-west-1", "us-east-1"]
  type = "service"

  group "web" {
    count = 3

    spread {
      attribute = "${attr.datacenter}"
      target "us-west-1" {
        percent = 50
      }
      target "us-east-1" {
        percent = 50
      }
    }

    task "web" {
      driver = "docker"
      config {
        image = "nginx:latest"
      }

      service {
        name = "web"
        port = "http"
      }
    }
  }
}
