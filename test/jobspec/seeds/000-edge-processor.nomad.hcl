# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 22.
job "edge-processor" {
  datacenters = ["edge-*"]
  type = "service"
  
  constraint {
    attribute = "${attr.platform.aws.placement.availability-zone}"
    operator  = "regexp"
    value     = ".*-local-.*"
  }
  
  group "processor" {
    count = 1
    
    restart {
      attempts = 10
      interval = "5m"
      delay    = "25s"
      mode     = "delay"
    }
    
    task "ml-inference" {
      driver = "docker"
      
      config {
        image = "edge-ai:latest"
        devices = [
          {
            host_path = "/dev/video0"
            container_path = "/dev/video0"
          }
        ]
      }
      
      resources {
        cpu    = 1000
        memory = 1024
        
        device "intel/gpu" {
          count = 1
        }
      }
    }
  }
}
