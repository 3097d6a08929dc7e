job "gpu" {
  group "g" {
    task "train" {
      driver = "docker"
      config { image = "tensorflow/tensorflow:latest-gpu" }
      resources {
        cpu    = 4000
        memory = 8192
        device "nvidia/gpu" {
          count = 2
          constraint {
            attribute = "${device.attr.memory}"
            operator  = ">="
            value     = "16 GiB"
          }
          affinity {
            attribute = "${device.model}"
            value     = "Tesla V100"
            weight    = 50
          }
        }
        numa {
          affinity = "require"
          devices  = ["nvidia/gpu"]
        }
      }
    }
  }
}
