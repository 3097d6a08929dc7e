# Nomad logging configuration
log_level = "INFO"
log_json = true
log_file = "/var/log/nomad.log"
log_rotate_bytes = 100000000
log_rotate_max_files = 5
