# Vertical scaling policies on a task: the label names the resource, in any
# case; jobspec2 turns it into the policy's type and keeps no name.
job "sizing" {
  group "api" {
    count = 2

    scaling {
      min = 1
      max = 6
    }

    task "server" {
      driver = "docker"

      config {
        image = "example/api:1.4"
      }

      scaling "CPU" {
        min     = 100
        max     = 800
        enabled = true

        policy {
          cooldown = "5m"
        }
      }

      scaling "mem" {
        min = 128
        max = 1024
      }
    }
  }
}
