# From seed 003_45d511daa4142bbb.txt, HCL snippet 22.
job "consul-kv" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 2

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }

      template {
        data = <<EOH
{{ key "app/config" }}
EOH
        destination = "local/config.json"
      }
    }
  }
}
