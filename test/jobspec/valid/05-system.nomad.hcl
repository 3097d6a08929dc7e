job "agent" {
  type = "system"
  group "agent" {
    task "agent" {
      driver = "docker"
      config {
        image        = "prom/node-exporter:v1.7.0"
        network_mode = "host"
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
