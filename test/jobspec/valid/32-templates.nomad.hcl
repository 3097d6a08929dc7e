job "templates" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "app" }
      template {
        data        = <<EOH
DB_HOST={{ with service "db" }}{{ with index . 0 }}{{ .Address }}{{ end }}{{ end }}
EOH
        destination = "secrets/db.env"
        env         = true
        change_mode = "restart"
      }
      template {
        source          = "local/app.tpl"
        destination     = "local/app.conf"
        change_mode     = "signal"
        change_signal   = "sighup"
        splay           = "10s"
        perms           = "0600"
        uid             = 1000
        gid             = 1000
        left_delimiter  = "[["
        right_delimiter = "]]"
        error_on_missing_key = true
        wait {
          min = "2s"
          max = "10s"
        }
      }
      template {
        data        = "reload"
        destination = "local/reload"
        change_mode = "script"
        change_script {
          command       = "/local/reload.sh"
          args          = ["-v"]
          timeout       = "20s"
          fail_on_error = true
        }
      }
    }
  }
}
