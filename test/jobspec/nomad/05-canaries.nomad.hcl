# Canaries are not bounded by the count: a service group may ask for more
# canaries than it runs, and a system job's canary is a percentage of its
# nodes (Caravan reads it and warns that its system scheduler has none yet).
job "edge" {
  type = "system"

  group "proxy" {
    update {
      max_parallel     = 2
      canary           = 25
      min_healthy_time = "5s"
      healthy_deadline = "2m"
    }

    task "envoy" {
      driver = "docker"

      config {
        image = "envoyproxy/envoy:v1.31-latest"
      }
    }
  }
}
