# A service group with more canaries than allocations: each canary is placed,
# and promotion brings the group back to its count.
job "checkout" {
  group "api" {
    count = 1

    update {
      canary       = 3
      auto_promote = true
      auto_revert  = true
    }

    task "api" {
      driver = "docker"

      config {
        image = "example/checkout:2.0"
      }
    }
  }
}
