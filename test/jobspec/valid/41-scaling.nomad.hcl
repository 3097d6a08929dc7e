job "scaled" {
  group "web" {
    count = 3
    scaling {
      enabled = true
      min     = 2
      max     = 10
      policy {
        cooldown            = "1m"
        evaluation_interval = "30s"
        check "avg_cpu" {
          source = "nomad-apm"
          query  = "avg_cpu"
          strategy "target-value" {
            target = 70
          }
        }
      }
    }
    task "web" {
      driver = "docker"
      config { image = "nginx" }
      scaling "cpu" {
        enabled = true
        min     = 100
        max     = 1000
        policy {
          cooldown = "5m"
        }
      }
      scaling "mem" {
        max = 2048
      }
    }
  }
}
