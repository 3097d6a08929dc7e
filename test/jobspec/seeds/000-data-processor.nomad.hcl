# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 2.
job "data-processor" {
  type = "batch"
  
  periodic {
    cron = "0 * * * *"
  }
  
  group "process" {
    task "etl" {
      driver = "docker"
      
      config {
        image = "company/etl:latest"
      }
    }
  }
}
