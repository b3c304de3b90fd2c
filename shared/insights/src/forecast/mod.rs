//! Per-show forecasts: final ticket sales ([`forecast_sales`]), attendance
//! on the night ([`forecast_attendance`]), and a deterministic backtest of
//! the sales forecast on simulated on-sale curves ([`backtest`]).

mod attendance;
pub mod backtest;
mod linalg;
mod sales;

pub use attendance::{
    AttendanceConfig, AttendanceForecast, forecast_attendance, forecast_attendance_with,
};
pub use sales::{
    ForecastConfig, SalesCurve, SalesCurveFit, SalesForecast, forecast_sales, forecast_sales_with,
};
