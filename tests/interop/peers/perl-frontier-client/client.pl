#!/usr/bin/perl
# Perl Frontier::Client (Frontier::RPC2) as a peer client: perl client.pl URL
#
# No switch: Frontier::RPC2 has neither nil nor i8. Its defaults are kept:
# ints, doubles and strings come back as Perl scalars (typed again by their
# look when sent), booleans, dates and base64 as Frontier::RPC2 objects.
use strict;
use warnings;
use Frontier::Client;

binmode STDOUT, ':encoding(UTF-8)';
my $client = Frontier::Client->new(url => $ARGV[0]);

sub check { my ($name, $value) = @_; return $client->call('interop.check', $name, $value) }

sub report {
    my ($name, $body) = @_;
    my $result = eval { $body->() };
    $result = "ERROR $@" unless defined $result;
    $result =~ s/[\r\n]+/ /g;
    $result =~ s/\s+$//;
    print "$name\t$result\n";
}

for my $name (@{ $client->call('interop.cases') }) {
    report($name, sub { check($name, $client->call('interop.case', $name)) });
}
report('fault', sub {
    eval { $client->call('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" \x{e9}") };
    return 'ERROR no fault raised' unless $@;
    # Frontier::Client reports a fault only as this die message.
    $@ =~ /^Fault returned from XML RPC Server, fault code (-?\d+): (.*)\n\z/s or die $@;
    return check('fault', [$client->int($1), $2]);
});
report('introspection.list', sub { check('introspection.list', $client->call('system.listMethods')) });
report('introspection.signature', sub { check('introspection.signature', $client->call('system.methodSignature', 'add')) });
report('introspection.help', sub { check('introspection.help', $client->call('system.methodHelp', 'add')) });
report('multicall', sub {
    check('multicall', $client->call('system.multicall', [
        { methodName => 'add', params => [2, 3] },
        { methodName => 'interop.fault', params => [4, 'in a multicall'] },
        { methodName => 'echo', params => ['x'] }]));
});
