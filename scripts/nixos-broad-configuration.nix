# A NixOS configuration that switches on many modules at once, for comparing tvix with
# nix-instantiate on NixOS option values and the system's .drv (scripts/nixpkgs-eval-items.txt).
# Its content is arbitrary: it only has to evaluate and touch many parts of the module system.
{ pkgs, lib, ... }: {
  boot.loader.grub.device = "/dev/sda";
  boot.kernelPackages = pkgs.linuxPackages_latest;
  boot.supportedFilesystems = [ "zfs" "btrfs" ];
  boot.kernelParams = [ "quiet" ];
  networking.hostName = "broad";
  networking.hostId = "8425e349";
  networking.firewall.allowedTCPPorts = [ 22 80 443 5432 ];
  networking.networkmanager.enable = true;
  fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
  fileSystems."/data" = { device = "tank/data"; fsType = "zfs"; };
  swapDevices = [ { device = "/dev/sda2"; } ];
  time.timeZone = "Europe/Berlin";
  i18n.defaultLocale = "de_DE.UTF-8";
  console.keyMap = "de";
  location = { latitude = 52.52; longitude = 13.405; };

  services.xserver = {
    enable = true;
    layout = "de";
    desktopManager.xfce.enable = true;
    displayManager.lightdm.enable = true;
  };
  services.picom = { enable = true; shadowOpacity = 0.5; inactiveOpacity = 0.85; fadeSteps = [ 0.03 0.05 ]; };
  services.redshift.enable = true;
  services.printing.enable = true;
  hardware.bluetooth.enable = true;
  hardware.pulseaudio.enable = true;
  fonts.fonts = with pkgs; [ dejavu_fonts noto-fonts fira-code ];

  services.openssh = { enable = true; permitRootLogin = "no"; };
  services.nginx = {
    enable = true;
    recommendedGzipSettings = true;
    virtualHosts."example.org" = { root = "/var/www"; locations."/api".proxyPass = "http://127.0.0.1:3000"; };
  };
  services.postgresql = { enable = true; ensureDatabases = [ "app" ]; };
  services.redis.enable = true;
  services.prometheus = {
    enable = true;
    scrapeConfigs = [ { job_name = "node"; static_configs = [ { targets = [ "localhost:9100" ]; } ]; } ];
    exporters.node.enable = true;
  };
  services.grafana.enable = true;
  services.fail2ban.enable = true;
  services.tlp.enable = true;
  services.cron = { enable = true; systemCronJobs = [ "*/5 * * * * root date >> /tmp/cron.log" ]; };

  virtualisation.docker.enable = true;
  virtualisation.libvirtd.enable = true;
  containers.web = { config = { services.httpd.enable = true; services.httpd.adminAddr = "a@b.c"; }; };

  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" "docker" ]; shell = pkgs.zsh; };
  programs.zsh.enable = true;
  security.sudo.wheelNeedsPassword = false;
  environment.systemPackages = with pkgs; [ vim git htop ripgrep python3 firefox ];
  environment.etc."broad.json".text = builtins.toJSON { a = 1; b = [ "x" true ]; };

  systemd.services.hello = {
    wantedBy = [ "multi-user.target" ];
    serviceConfig.ExecStart = "${pkgs.hello}/bin/hello";
  };
  systemd.timers.hello = { wantedBy = [ "timers.target" ]; timerConfig.OnCalendar = "daily"; };
  nix.gc.automatic = true;
  system.stateVersion = "20.09";
}
