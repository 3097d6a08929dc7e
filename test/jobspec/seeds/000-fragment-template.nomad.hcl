# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 7.
# A template fragment, wrapped in a job, group and task.
job "fragment" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "app" }
      # Dynamic configuration
      template {
        data = <<EOH
      server:
        host: 0.0.0.0
        port: {{ env "NOMAD_PORT_http" }}

      {{ range service "postgres" }}
      database:
        host: {{ .Address }}
        port: {{ .Port }}
      {{ end }}
      EOH
        destination = "local/config.yaml"
        change_mode = "restart"
        change_signal = "SIGHUP"
      }

      # Consul KV integration
      template {
        data = <<EOH
      {{ key "config/app/features" | parseJSON | toJSON }}
      EOH
        destination = "local/features.json"
      }
    }
  }
}
