job "drivers" {
  group "vm" {
    task "vm" {
      driver = "qemu"
      config {
        image_path  = "local/linux.img"
        accelerator = "kvm"
        args        = ["-nodefaults"]
        port_map {
          ssh = 22
        }
      }
      artifact {
        source = "https://example.com/linux.img"
      }
      resources {
        cpu    = 2000
        memory = 2048
      }
    }
  }
  group "java" {
    task "app" {
      driver = "java"
      config {
        class      = "com.example.Main"
        class_path = "${NOMAD_TASK_DIR}/lib"
        args       = ["--serve"]
      }
    }
  }
}
