# Client performance tuning
client {
  enabled = true
  servers = ["192.168.1.10:4647", "192.168.1.11:4647", "192.168.1.12:4647"]
  node_class = "web"
  node_pool = "default"
  servers_join = ["192.168.1.10:4648", "192.168.1.11:4648", "192.168.1.12:4648"]
  meta {
    "environment" = "production"
    "rack" = "rack1"
  }
  options {
    "driver.raw_exec.enable" = "1"
    "driver.docker.volumes.enabled" = "true"
  }
  chroot_env {
    "/bin" = "/bin"
    "/lib" = "/lib"
    "/lib64" = "/lib64"
    "/usr/bin" = "/usr/bin"
  }
}
