# From seed 003_45d511daa4142bbb.txt, HCL snippet 18.
job "dynamic-secrets" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 2

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }

      vault {
        policies = ["database-policy"]
        change_mode = "restart"
      }

      template {
        data = <<EOH
DB_USERNAME={{ with secret "database/creds/app" }}{{ .Data.data.username }}{{ end }}
DB_PASSWORD={{ with secret "database/creds/app" }}{{ .Data.data.password }}{{ end }}
DB_HOST={{ with secret "database/creds/app" }}{{ .Data.data.host }}{{ end }}
EOH
        destination = "local/db.env"
        env = true
      }
    }
  }
}
