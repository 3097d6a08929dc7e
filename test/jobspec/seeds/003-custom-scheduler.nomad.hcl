# From seed 003_45d511daa4142bbb.txt, HCL snippet 12.
job "custom-scheduler" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }

      resources {
        cpu    = 500
        memory = 512
      }
    }
  }
}
