job "task-misc" {
  group "g" {
    task "t" {
      driver         = "docker"
      user           = "nobody"
      kill_timeout   = "45s"
      kill_signal    = "SIGTERM"
      shutdown_delay = "3s"
      env {
        LOG_LEVEL = "debug"
        PORT      = 8080
      }
      config {
        image      = "app:1"
        entrypoint = ["/app"]
        sysctl = {
          "net.core.somaxconn" = "16384"
        }
        labels {
          team = "a"
        }
        logging {
          type = "journald"
          config {
            tag = "app"
          }
        }
        mount {
          type   = "bind"
          source = "local"
          target = "/etc/app"
        }
        mount {
          type   = "tmpfs"
          target = "/tmp"
        }
      }
      action "drain" {
        command = "/app"
        args    = ["drain", "--now"]
      }
      action "status" {
        command = "/app"
      }
      schedule {
        cron {
          start    = "0 9 * * mon-fri"
          end      = "0 17"
          timezone = "Europe/Berlin"
        }
      }
    }
  }
}
