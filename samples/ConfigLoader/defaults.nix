# Shared defaults, imported by config.nix.
{
  logLevel = "info";
  database = { host = "localhost"; port = 5432; };
}
