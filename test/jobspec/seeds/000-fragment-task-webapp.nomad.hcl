# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 9.
# A task fragment, wrapped in a job and group.
job "fragment" {
  group "g" {
    task "webapp" {
      driver = "docker"
      
      config {
        image = "webapp:latest"
        ports = ["http"]
        
        # Docker options
        volumes = [
          "local/config:/etc/app",
          "secrets:/run/secrets:ro"
        ]
        
        mount {
          type     = "bind"
          source   = "secrets/ssl"
          target   = "/etc/ssl/private"
          readonly = true
        }
        
        labels {
          environment = "production"
          service     = "webapp"
        }
        
        # Resource limits
        memory_hard_limit = 512
        
        # Logging
        logging {
          type = "fluentd"
          config {
            fluentd-address = "localhost:24224"
            tag             = "docker.webapp"
          }
        }
      }
    }
  }
}
