# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 1.
job "web-app" {
  type = "service"
  
  group "frontend" {
    count = 3
    
    task "nginx" {
      driver = "docker"
      
      config {
        image = "nginx:1.25"
        ports = ["http"]
      }
    }
  }
}
