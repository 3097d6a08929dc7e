# Server configuration for HA
server {
  enabled = true
  bootstrap_expect = 5  # Use 5 servers for production
  
  # Autopilot configuration
  autopilot {
    cleanup_dead_servers      = true
    last_contact_threshold    = "200ms"
    max_trailing_logs         = 250
    min_quorum                = 3
    server_stabilization_time = "10s"
  }
  
  # Raft configuration
  raft_multiplier = 1  # Performance tuning
  
  # Snapshot configuration
  snapshot_agent {
    interval = "1h"
    retain   = 168  # Keep 1 week of hourly snapshots
    
    storage "s3" {
      bucket = "nomad-snapshots"
      region = "us-west-2"
    }
  }
}
