# The application's configuration, in Nix: functions, imports and overrides are all available.
{ environment ? "production" }:
let
  defaults = import ./defaults.nix;
  mkWorker = name: { inherit name; threads = if environment == "production" then 8 else 1; };
in
defaults // {
  name = "example-service";
  inherit environment;
  listenPort = 8080;
  workers = map mkWorker [ "ingest" "index" "serve" ];
  database = defaults.database // { host = "db.${environment}.internal"; };
  features = { tracing = environment != "production"; compression = true; };
}
