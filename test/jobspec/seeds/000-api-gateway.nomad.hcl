# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 13.
job "api-gateway" {
  group "gateway" {
    network {
      mode = "bridge"
    }
    
    service {
      name = "api-gateway"
      port = "8080"
      
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "backend-api"
              local_bind_port  = 5000
            }
            upstreams {
              destination_name = "auth-service"
              local_bind_port  = 5001
            }
          }
        }
        
        sidecar_task {
          resources {
            cpu    = 50
            memory = 64
          }
        }
      }
    }
    
    task "gateway" {
      driver = "docker"
      
      config {
        image = "api-gateway:latest"
      }
      
      env {
        BACKEND_URL = "http://localhost:5000"
        AUTH_URL    = "http://localhost:5001"
      }
    }
  }
}
