# From seed 003_45d511daa4142bbb.txt, HCL snippet 17.
job "vault-integrated" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }

      vault {
        policies = ["app-policy"]
        change_mode = "restart"
        change_signal = "SIGTERM"
      }

      template {
        data = <<EOH
DATABASE_URL={{ with secret "database/creds/app" }}{{ .Data.data.connection_string }}{{ end }}
API_KEY={{ with secret "secret/app" }}{{ .Data.data.api_key }}{{ end }}
EOH
        destination = "local/secrets.env"
        env = true
      }
    }
  }
}
