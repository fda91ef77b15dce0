<?php
// Verifying a glase-checkout webhook in PHP (WooCommerce, or any PHP shop). As an endpoint:
//
//   $event = glase_checkout_verify(file_get_contents('php://input'),
//       $_SERVER['HTTP_GLASE_CHECKOUT_SIGNATURE'] ?? '', getenv('WEBHOOK_SECRET'));
//   if ($event === null) { http_response_code(400); exit; }
//   // drop repeats by $event['id'], then mark the WooCommerce order paid, refunded…
//   http_response_code(200);
//
// Verify the raw body exactly as it arrived, before decoding it.

/** The decoded event when the signature is valid and fresh; null otherwise. */
function glase_checkout_verify(string $payload, string $header, string $secret, int $tolerance = 300, ?int $now = null): ?array
{
    $t = null;
    $signatures = [];
    foreach (explode(',', $header) as $part) {
        $pair = explode('=', trim($part), 2);
        if (count($pair) !== 2) {
            continue;
        }
        if ($pair[0] === 't' && ctype_digit($pair[1])) {
            $t = (int) $pair[1];
        }
        if ($pair[0] === 'v1' && preg_match('/^[0-9a-f]{64}$/', $pair[1])) {
            $signatures[] = $pair[1];
        }
    }
    if ($t === null) {
        return null;
    }
    // A replay of an old delivery fails here, even with a valid signature.
    if (abs(($now ?? time()) - $t) > $tolerance) {
        return null;
    }
    $expected = hash_hmac('sha256', $t . '.' . $payload, $secret);
    foreach ($signatures as $signature) {
        if (hash_equals($expected, $signature)) {
            $event = json_decode($payload, true);
            return is_array($event) ? $event : null;
        }
    }
    return null;
}

// Run from the command line: the body on stdin, the header and secret in the environment (the tests do).
if (PHP_SAPI === 'cli' && realpath($argv[0] ?? '') === __FILE__) {
    $now = getenv('NOW');
    $event = glase_checkout_verify(
        stream_get_contents(STDIN),
        (string) getenv('SIGNATURE'),
        (string) getenv('WEBHOOK_SECRET'),
        300,
        $now === false ? null : (int) $now
    );
    if ($event === null) {
        echo "invalid\n";
        exit(1);
    }
    echo 'valid ' . $event['id'] . ' ' . $event['type'] . "\n";
}
