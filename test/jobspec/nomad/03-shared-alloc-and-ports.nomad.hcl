# Things Nomad's validation lets through: a port label with a hyphen, an
# artifact fetched into the allocation's shared alloc/ folder from the task's
# directory, and memory_max = -1 (no memory limit).
job "report" {
  group "render" {
    network {
      port "web-ui" {
        to = 8080
      }
    }

    service {
      name     = "report-ui"
      port     = "web-ui"
      provider = "nomad"
    }

    task "fetch" {
      driver = "raw_exec"

      lifecycle {
        hook = "prestart"
      }

      artifact {
        source      = "https://example.com/data/report.csv"
        destination = "../alloc/input"
      }

      config {
        command = "/bin/true"
      }
    }

    task "serve" {
      driver = "raw_exec"

      config {
        command = "/usr/local/bin/report-server"
        args    = ["--port", "${NOMAD_PORT_web-ui}", "--data", "${NOMAD_ALLOC_DIR}/input"]
      }

      resources {
        cpu        = 100
        memory     = 64
        memory_max = -1
      }
    }
  }
}
