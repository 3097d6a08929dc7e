# Workload identities as Nomad 2.x writes them: repeated identity blocks
# without labels, told apart by name; the unnamed one is the task's default
# identity. A Consul service can carry its own identity too.
job "billing" {
  group "api" {
    network {
      port "http" {}
    }

    service {
      name = "billing-api"
      port = "http"

      identity {
        aud           = ["consul.io"]
        ttl           = "30m"
        env           = true
        file          = true
        filepath      = "secrets/consul.jwt"
        change_mode   = "signal"
        change_signal = "SIGHUP"
      }
    }

    task "server" {
      driver = "docker"

      config {
        image = "example/billing:3.2"
        ports = ["http"]
      }

      identity {
        env         = true
        change_mode = "restart"
      }

      identity {
        name          = "payments"
        aud           = ["payments.example.com"]
        ttl           = "15m"
        file          = true
        filepath      = "secrets/payments.jwt"
        change_mode   = "signal"
        change_signal = "SIGUSR1"
      }
    }
  }
}
