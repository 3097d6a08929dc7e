job "sidecar-task" {
  group "g" {
    network {
      mode = "bridge"
    }
    service {
      name = "svc"
      port = "8080"
      connect {
        sidecar_service {
          port = "8443"
          meta {
            version = "2"
          }
        }
        sidecar_task {
          name           = "envoy"
          driver         = "docker"
          user           = "envoy"
          kill_signal    = "SIGTERM"
          shutdown_delay = "2s"
          config {
            image = "envoyproxy/envoy:v1.29"
          }
          env {
            ENVOY_LOG = "debug"
          }
          meta {
            role = "proxy"
          }
          logs {
            max_files     = 2
            max_file_size = 2
          }
        }
      }
    }
    task "svc" {
      driver = "docker"
      config { image = "svc:1" }
    }
  }
}
