# Client performance settings
client {
  # Fingerprinting
  fingerprint {
    whitelist = ["cpu", "memory", "disk", "network"]
    blacklist = ["env_aws", "env_gce"]
  }
  
  # GC tuning
  gc_interval = "1m"
  gc_parallel_destroys = 2
  gc_disk_usage_threshold = 80
  gc_inode_usage_threshold = 70
  gc_max_allocs = 100
  
  # Reserved resources
  reserved {
    cpu    = 500
    memory = 512
    disk   = 1024
  }
}

# Server performance
server {
  # Evaluation settings
  num_schedulers = 8
  
  # Job GC
  job_gc_interval = "5m"
  job_gc_threshold = "4h"
  
  # Deployment GC
  deployment_gc_threshold = "1h"
}
