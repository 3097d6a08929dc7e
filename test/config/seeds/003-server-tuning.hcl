# Server performance tuning
server {
  enabled = true
  bootstrap_expect = 3
  retry_join = ["192.168.1.11:4648", "192.168.1.12:4648"]
  retry_max = 3
  retry_interval = "15s"
  start_join = ["192.168.1.11:4648", "192.168.1.12:4648"]
  rejoin_after_leave = true
  non_voting_server = false
  redundancy_zone = "zone1"
  upgrade_version = "1.6.0"
  enable_debug = false
}
