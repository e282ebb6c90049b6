#!/usr/bin/perl
# partition-warden.pl LIFELINE PIDFILE TABLE CGROUP
#
# Removes what a native run made for its partitions (harness/cluster/partition.ts) once the run's
# owner is gone, however it went: the nft table TABLE (family inet) and the cgroup folder CGROUP
# with the node cgroups inside it. The owner removes both itself at teardown and then SIGKILLs
# this warden; the warden acts only when the owner died without a teardown (SIGKILL, a crash).
#
#   1. Open LIFELINE for reading without blocking and read once: EAGAIN means the owner is alive
#      (then block until end-of-file: the owner's end closed); end-of-file means it is gone already.
#   2. Delete the table: from this moment no packet of the run is dropped.
#   3. The node processes in CGROUP are SIGKILLed by their tethers on the same end-of-file; remove
#      the cgroups, deepest first, as soon as they are empty (up to 30 s), SIGKILLing after 5 s
#      whatever is still inside (processes of this run only: nothing else is ever placed there).
#
# Started detached (a session of its own), so a Ctrl-C to the owner's terminal does not reach it.
# Perl, not bash, for the same reason as tether.pl: bash cannot open a FIFO without blocking.
use strict;
use warnings;
use Fcntl qw(O_RDONLY O_NONBLOCK F_GETFL F_SETFL);
use POSIX qw(EAGAIN EINTR);
use Time::HiRes qw(sleep time);

my ($lifeline, $pidfile, $table, $cgroup) = @ARGV;
defined $cgroup or do { print STDERR "usage: partition-warden.pl LIFELINE PIDFILE TABLE CGROUP\n"; exit 97 };
$table =~ /^[A-Za-z_][A-Za-z0-9_]*$/ or do { print STDERR "partition-warden: bad table name $table\n"; exit 97 };
sub note { my @t = gmtime(); printf STDERR "[partition-warden %d %02d:%02d:%02d] %s\n", $$, @t[2, 1, 0], "@_"; }

sysopen(my $fifo, $lifeline, O_RDONLY | O_NONBLOCK) or do { note("cannot open lifeline $lifeline: $!; cleaning up now"); cleanup(); exit 0 };
my $n;
do { $n = sysread($fifo, my $buf, 512) } while (defined $n && $n > 0) || (!defined $n && $! == EINTR);
if (!defined $n && $! == EAGAIN) {
  my $p;
  open($p, '>', "$pidfile.tmp") and print($p "$$\n") and close($p) and rename("$pidfile.tmp", $pidfile) or note("cannot write $pidfile: $!");
  fcntl($fifo, F_SETFL, fcntl($fifo, F_GETFL, 0) & ~O_NONBLOCK) or die "fcntl: $!";
  do { $n = sysread($fifo, my $buf, 512) } while (defined $n && $n > 0) || (!defined $n && $! == EINTR);
}
cleanup();
exit 0;

sub cleanup {
  my $had = system("nft list table inet $table >/dev/null 2>&1") == 0 ? 1 : 0;
  if ($had) {
    system('nft', 'delete', 'table', 'inet', $table) == 0 ? note("the run's owner is gone: deleted nft table inet $table") : note("cannot delete nft table inet $table");
  }
  return unless -d $cgroup;
  my @nodes = grep { -d } glob("$cgroup/*");
  my $deadline = time() + 30;
  for my $dir (@nodes, $cgroup) {
    # Empty only once every process in it has exited; their tethers SIGKILL them on the same
    # end-of-file, and after 5 s the warden does.
    until (rmdir $dir) {
      if (time() > $deadline) { note("cannot remove cgroup $dir after 30 s: $! (processes: @{[procs($dir)]})"); last }
      my @pids = procs($dir);
      kill 'KILL', @pids if @pids && time() > $deadline - 25;
      sleep 0.1;
    }
  }
  note("the run's owner is gone: removed cgroup $cgroup") unless -d $cgroup;
}

sub procs {
  my ($dir) = @_;
  open(my $f, '<', "$dir/cgroup.procs") or return ();
  my @pids = grep { /^\d+$/ } map { chomp; $_ } <$f>;
  close($f);
  return @pids;
}
