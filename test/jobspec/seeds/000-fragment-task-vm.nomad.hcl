# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 12.
# A task fragment, wrapped in a job and group.
job "fragment" {
  group "g" {
    task "vm" {
      driver = "qemu"
      
      config {
        image_path = "local/ubuntu.qcow2"
        accelerator = "kvm"
        args = [
          "-m", "1024",
          "-smp", "2"
        ]
        port_map {
          ssh = 22
        }
      }
      
      artifact {
        source = "https://cloud-images.ubuntu.com/focal/current/focal-server-cloudimg-amd64.img"
      }
    }
  }
}
