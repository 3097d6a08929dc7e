# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 3.
job "node-exporter" {
  type = "system"
  
  group "monitoring" {
    task "exporter" {
      driver = "docker"
      
      config {
        image = "prom/node-exporter:latest"
        network_mode = "host"
      }
    }
  }
}
