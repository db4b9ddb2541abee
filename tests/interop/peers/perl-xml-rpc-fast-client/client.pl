#!/usr/bin/perl
# Perl XML::RPC::Fast (XML::LibXML encoder, LWP) as a peer client: perl client.pl URL
#
# No switch: XML::RPC::Fast writes 64-bit integers as <i8> itself and keeps
# a type it does not decode (i8, nil, boolean, dateTime.iso8601) as a
# scalar ref blessed into the type's name, which it writes back as that type.
use strict;
use warnings;
use XML::RPC::Fast;

binmode STDOUT, ':encoding(UTF-8)';
my $rpc = XML::RPC::Fast->new($ARGV[0], ua => 'LWP', timeout => 60);

# Calls method(args): the result, or dies with "fault CODE: STRING". With a
# callback, req hands over the fault as { fault => { faultCode, faultString } }.
sub call {
    my @result;
    $rpc->req(call => [@_], cb => sub { @result = @_ });
    if (ref $result[0] eq 'HASH' && exists $result[0]{fault}) {
        my $f = $result[0]{fault};
        die bless { code => $f->{faultCode}, string => $f->{faultString} }, 'Fault';
    }
    return $result[0];
}

sub check { my ($name, $value) = @_; return call('interop.check', $name, $value) }

sub report {
    my ($name, $body) = @_;
    my $result = eval { $body->() };
    $result = 'ERROR ' . (ref $@ eq 'Fault' ? "fault $@->{code}: $@->{string}" : $@) unless defined $result;
    $result =~ s/[\r\n]+/ /g;
    $result =~ s/\s+$//;
    print "$name\t$result\n";
}

for my $name (@{ call('interop.cases') }) {
    report($name, sub { check($name, call('interop.case', $name)) });
}
report('fault', sub {
    eval { call('interop.fault', 4, "Too many parameters: <&> 'quoted' \"double\" \N{U+00E9}") };
    return 'ERROR no fault raised' unless ref $@ eq 'Fault';
    return check('fault', [$@->{code}, $@->{string}]);
});
report('introspection.list', sub { check('introspection.list', call('system.listMethods')) });
report('introspection.signature', sub { check('introspection.signature', call('system.methodSignature', 'add')) });
report('introspection.help', sub { check('introspection.help', call('system.methodHelp', 'add')) });
report('multicall', sub {
    check('multicall', call('system.multicall', [
        { methodName => 'add', params => [2, 3] },
        { methodName => 'interop.fault', params => [4, 'in a multicall'] },
        { methodName => 'echo', params => ['x'] }]));
});
