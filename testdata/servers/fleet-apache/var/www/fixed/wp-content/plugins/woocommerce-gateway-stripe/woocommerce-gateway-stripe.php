<?php
/**
 * Plugin Name: WooCommerce Stripe Gateway
 * Plugin URI: https://wordpress.org/plugins/woocommerce-gateway-stripe/
 * Description: Take credit card payments on your store using Stripe.
 * Author: WooCommerce
 * Author URI: https://woocommerce.com/
 * Version: 8.8.0
 * Requires Plugins: woocommerce
 * Requires at least: 6.4
 * Tested up to: 6.6
 * WC requires at least: 8.9
 * WC tested up to: 9.3
 * Text Domain: woocommerce-gateway-stripe
 * Domain Path: /languages
 */
