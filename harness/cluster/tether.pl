#!/usr/bin/perl
# tether.pl LIFELINE PIDFILE LOGFILE CMD [ARG...]
#
# Runs CMD, with stdout and stderr appended to LOGFILE and its pid in PIDFILE, for exactly as long
# as the run's owner lives. LIFELINE is a FIFO that the owner (and only the owner) holds open for
# writing; the kernel closes that end when the owner exits, however it exits, SIGKILL included.
#
#   1. Open LIFELINE for reading with O_NONBLOCK: the open never waits for a writer.
#   2. Read once. EAGAIN: a writer exists, the owner is alive. End-of-file: there is no writer, the
#      owner is gone; CMD is never started (exit 96, with a line in LOGFILE).
#   3. Start CMD in a process group of its own (and, with KD_TETHER_CGROUP set, in that cgroup v2
#      folder first: partition.ts matches a node's packets by it; CMD does not start outside it).
#   4. A watcher (forked, sharing the read end opened in 1) blocks reading the lifeline. The read
#      returns end-of-file once no writer is left; since the read end has been open since before
#      the check, an owner that died at any moment after the check is seen, at once if it died
#      before the read began. The watcher then SIGKILLs CMD's process group and, if the run folder
#      (the lifeline's folder) records no ending yet, writes `ended` there: the owner vanished.
#   5. The tether waits for CMD, dismisses the watcher and exits with CMD's status.
#
# Perl, not bash: bash cannot open a file without blocking. Only modules of perl-base are used.
use strict;
use warnings;
use Fcntl qw(O_RDONLY O_NONBLOCK O_WRONLY O_CREAT O_EXCL O_APPEND F_GETFL F_SETFL);
use POSIX qw(EAGAIN EINTR);

my $OWNER_GONE = 96;
my $USAGE      = 97;
my ($lifeline, $pidfile, $logfile, @cmd) = @ARGV;
sub note { my $fh; open($fh, '>>', $logfile) and print $fh "[tether $$] @_\n"; }
(defined $logfile && @cmd) or do { print STDERR "usage: tether.pl LIFELINE PIDFILE LOGFILE CMD [ARG...]\n"; exit $USAGE };
-p $lifeline or do { note("lifeline $lifeline is not a FIFO; not starting @cmd"); exit $USAGE };

# 1 and 2. Perl opens descriptors above 2 close-on-exec: CMD never holds the lifeline.
sysopen(my $fifo, $lifeline, O_RDONLY | O_NONBLOCK) or do { note("cannot open lifeline $lifeline: $!"); exit $USAGE };
my $n;
do { $n = sysread($fifo, my $buf, 512) } while (defined $n && $n > 0) || (!defined $n && $! == EINTR);
if (defined $n) {    # 0: end-of-file, no writer
  note("the run's owner is gone (no writer on lifeline $lifeline): not starting @cmd");
  exit $OWNER_GONE;
}
$! == EAGAIN or do { note("cannot read lifeline $lifeline: $!"); exit $USAGE };
fcntl($fifo, F_SETFL, fcntl($fifo, F_GETFL, 0) & ~O_NONBLOCK) or die "fcntl: $!";

# 3.
my $child = fork() // die "fork: $!";
if ($child == 0) {
  setpgrp(0, 0);
  if (my $cg = delete $ENV{KD_TETHER_CGROUP}) {
    my $procs;
    (open($procs, '>', "$cg/cgroup.procs") and print($procs "$$\n") and close($procs))
      or do { note("cannot place @cmd in cgroup $cg: $!; not starting it"); POSIX::_exit(127) };
  }
  open(STDIN, '<', '/dev/null');
  open(STDOUT, '>>', $logfile) or POSIX::_exit(127);
  open(STDERR, '>&', \*STDOUT);
  exec { $cmd[0] } @cmd or do { print STDERR "tether: cannot run $cmd[0]: $!\n"; POSIX::_exit(127) };
}
setpgrp($child, $child);    # also here: the group exists before anyone may signal it

# 4.
my $watcher = fork() // die "fork: $!";
if ($watcher == 0) {
  $SIG{TERM} = 'DEFAULT';
  do { $n = sysread($fifo, my $buf, 512) } while (defined $n && $n > 0) || (!defined $n && $! == EINTR);
  $SIG{TERM} = 'IGNORE';    # CMD's death makes the tether dismiss this watcher: finish first
  kill 'KILL', -$child, $child;
  note("the run's owner is gone (lifeline closed): SIGKILL to @cmd (pid $child)");
  my $ended = ($lifeline =~ m{^(.*)/[^/]+$} ? $1 : '.') . '/ended';
  if (sysopen(my $e, $ended, O_WRONLY | O_CREAT | O_EXCL)) {
    (my $name = $cmd[0]) =~ s{.*/|["\\]}{}g;
    my @t = gmtime();
    my $at = sprintf('%04d-%02d-%02dT%02d:%02d:%02dZ', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0]);
    print $e qq({"reason":"owner vanished","at":"$at","by":"the tether of $name (pid $child)","detail":"the lifeline closed with no ending recorded: the owner died without stopping the run (SIGKILL, a crash)"}\n);
    close($e);    # _exit below flushes nothing
  }
  POSIX::_exit(0);
}

my $p;
open($p, '>', "$pidfile.tmp") and print($p "$child\n") and close($p) and rename("$pidfile.tmp", $pidfile) or note("cannot write $pidfile: $!");

# 5.
my $r;
do { $r = waitpid($child, 0) } while ($r == -1 && $! == EINTR);
my $status = $?;
kill 'TERM', $watcher;
waitpid($watcher, 0);
exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
