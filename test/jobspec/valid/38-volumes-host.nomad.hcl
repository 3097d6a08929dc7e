job "host-volume" {
  group "db" {
    volume "data" {
      type      = "host"
      source    = "pg-data"
      read_only = false
    }
    task "postgres" {
      driver = "docker"
      config { image = "postgres:16" }
      volume_mount {
        volume           = "data"
        destination      = "/var/lib/postgresql/data"
        read_only        = false
        propagation_mode = "private"
        selinux_label    = "Z"
      }
    }
  }
}
