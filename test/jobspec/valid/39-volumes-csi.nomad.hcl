job "csi-volume" {
  group "db" {
    count = 2
    volume "ebs" {
      type            = "csi"
      source          = "mysql"
      read_only       = false
      access_mode     = "single-node-writer"
      attachment_mode = "file-system"
      per_alloc       = true
      mount_options {
        fs_type     = "ext4"
        mount_flags = ["noatime"]
      }
    }
    task "mysql" {
      driver = "docker"
      config { image = "mysql:8" }
      volume_mount {
        volume      = "ebs"
        destination = "/var/lib/mysql"
      }
    }
  }
}
