# The deprecated task-level network (inside resources), as Nomad's older
# examples still write it: its ports next to the group's, a static one among
# them, the docker driver's port_map naming the container port, and mbits,
# which Nomad still prints though its scheduler ignores it.
job "cache" {
  group "redis" {
    network {
      mbits = 20
      port "metrics" {}
    }

    task "server" {
      driver = "docker"

      config {
        image = "redis:7"

        port_map {
          db = 6379
        }
      }

      resources {
        cpu    = 300
        memory = 256

        network {
          mbits = 10
          port "db" {}
          port "admin" {
            static = 8888
          }
        }
      }

      service {
        name = "redis"
        port = "db"

        check {
          type     = "tcp"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
}
