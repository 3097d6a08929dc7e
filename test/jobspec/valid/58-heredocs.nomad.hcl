job "heredocs" {
  group "g" {
    task "t" {
      driver = "exec"
      config {
        command = "/bin/sh"
        args = ["-c", <<-EOS
          echo "starting"
          exec app --port=${NOMAD_PORT_http}
        EOS
        ]
      }
      template {
        destination = "local/nginx.conf"
        data        = <<EOF
server {
  listen {{ env "NOMAD_PORT_http" }};
  location / { return 200 "$${literal}"; }
}
EOF
      }
    }
  }
}
