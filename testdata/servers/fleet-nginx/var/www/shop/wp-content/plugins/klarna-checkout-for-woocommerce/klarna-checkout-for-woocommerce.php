<?php // phpcs:ignore
/**
 * Plugin Name: Kustom Checkout for WooCommerce
 * Plugin URI: https://krokedil.com/kustom/
 * Description: Kustom Checkout payment gateway for WooCommerce.
 * Author: Kustom
 * Author URI: https://klarna.com/
 * Version: 2.18.3
 * Text Domain: klarna-checkout-for-woocommerce
 * Domain Path: /languages
 *
 * WC requires at least: 5.6.0
 * WC tested up to: 10.5.3
 *
 * Copyright (c) 2017-2026 Krokedil
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program. If not, see <http://www.gnu.org/licenses/>.
 */
